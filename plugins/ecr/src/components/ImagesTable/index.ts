export { ImagesTable, IMAGES_PAGE_SIZE } from './ImagesTable';
